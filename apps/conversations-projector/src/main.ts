import { startConversationsProjector } from './conversationsProjector';
import { runProjectorProcess } from './runProjectorProcess';

runProjectorProcess('conversations-projector', startConversationsProjector);
