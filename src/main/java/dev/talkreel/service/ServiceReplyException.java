package dev.talkreel.service;

import dev.talkreel.pipeline.StepFailedException;

/**
 * A reply that is not what the service's contract promises (not JSON, no task id, an unknown status, an unreadable
 * image). Unlike the other step failures it is retried (errors.camel.yaml): services send such replies while they
 * start, restart or run short of memory, and the next try usually gets a good one.
 */
public class ServiceReplyException extends StepFailedException {
    public ServiceReplyException(String message) {
        super(message);
    }
}
