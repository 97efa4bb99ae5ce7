import { teardown } from './cleanClone.mjs';
export default teardown;
