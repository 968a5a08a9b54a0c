package dev.talkreel.gpu;

/**
 * A GPU step waiting at the gate, as a policy sees it.
 *
 * @param jobId the job
 * @param step the step (voice, portrait, video)
 * @param model what the step needs loaded on the GPU: its service (vibevoice, comfyui, infinitetalk)
 * @param stage the step's place in the pipeline: the higher, the closer its job is to done (video is last)
 * @param arrival the order it came to the gate in (smaller came first)
 * @param passedOver how many steps that came after it were let in before it
 */
public record GpuWaiter(String jobId, String step, String model, int stage, long arrival, int passedOver) {
}
