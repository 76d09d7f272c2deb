import { runProjectorProcess } from '@missive/process';
import { startConversationsProjector } from '@missive/projectors';

runProjectorProcess('conversations-projector', startConversationsProjector);
