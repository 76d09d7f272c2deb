import { runProjectorProcess } from '@missive/process';
import { startChannelsProjector } from '@missive/projectors';

runProjectorProcess('channels-projector', startChannelsProjector);
