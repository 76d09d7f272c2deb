import { runProjectorProcess } from '@missive/process';
import { startMessagesProjector } from '@missive/projectors';

runProjectorProcess('messages-projector', startMessagesProjector);
