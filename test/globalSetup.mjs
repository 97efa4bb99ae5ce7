import { setup } from './cleanClone.mjs';
export default setup;
