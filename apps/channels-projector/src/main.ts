import { runProjectorProcess } from '@missive/conversations-projector';
import { startChannelsProjector } from './channelsProjector';

runProjectorProcess('channels-projector', startChannelsProjector);
