/**
 * The claim → record → confirm or undo protocol (src/acts/requests/recordedClaim.ts) on the
 * in-process request store; test/acts/claimUndoCases.ts says what is checked.
 */
import { memoryRequestStore } from '../../src/dualControl/requestStore.js';
import { claimUndoCases } from './claimUndoCases.js';

claimUndoCases(() => memoryRequestStore());
