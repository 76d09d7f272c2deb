import { runProjectorProcess } from '@missive/conversations-projector';
import { startMessagesProjector } from './messagesProjector';

runProjectorProcess('messages-projector', startMessagesProjector);
