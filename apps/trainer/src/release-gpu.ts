import { releaseWebgpu } from '@lesionseg/models';

/** Dawn's native GPU object would keep the process alive after the work is done. */
export const releaseGpu = (): Promise<void> => releaseWebgpu();
