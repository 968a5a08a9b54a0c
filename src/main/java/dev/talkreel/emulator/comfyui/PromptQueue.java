package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Json;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * ComfyUI's PromptQueue: pending prompts ordered by number, at most one running, and the interrupt flag. Every change
 * of the queue is announced through {@code onChange} (ComfyUI's {@code queue_updated}, a websocket status broadcast).
 */
final class PromptQueue {
    private final PriorityQueue<QueueItem> pending = new PriorityQueue<>(
            Comparator.comparingDouble((QueueItem q) -> q.number().doubleValue()).thenComparingLong(QueueItem::seq));
    private final Runnable onChange;
    private QueueItem running;
    private volatile boolean interruptRequested;

    PromptQueue(Runnable onChange) {
        this.onChange = onChange;
    }

    void put(QueueItem item) {
        synchronized (this) {
            pending.add(item);
            // announced before the worker may start it, as ComfyUI's put() does under its mutex
            onChange.run();
            notifyAll();
        }
    }

    /** Waits for the next prompt and marks it running; the interrupt flag is reset, as execute() does. */
    synchronized QueueItem take() throws InterruptedException {
        while (pending.isEmpty()) {
            wait();
        }
        running = pending.poll();
        interruptRequested = false;
        return running;
    }

    /** The running prompt is finished (its history entry is already stored). */
    void taskDone() {
        synchronized (this) {
            running = null;
        }
        onChange.run();
    }

    /** Pending plus running, as {@code exec_info.queue_remaining}. */
    synchronized int remaining() {
        return pending.size() + (running == null ? 0 : 1);
    }

    synchronized boolean busy() {
        return running != null;
    }

    /** {@code {"queue_running": [...], "queue_pending": [...]}}. */
    synchronized ObjectNode toJson() {
        ObjectNode out = Json.object();
        ArrayNode run = out.putArray("queue_running");
        if (running != null) {
            run.add(running.toJson());
        }
        ArrayNode wait = out.putArray("queue_pending");
        pending.stream().sorted(pending.comparator()).forEach(q -> wait.add(q.toJson()));
        return out;
    }

    void clear() {
        synchronized (this) {
            pending.clear();
        }
        onChange.run();
    }

    void delete(Set<String> promptIds) {
        synchronized (this) {
            pending.removeIf(q -> promptIds.contains(q.promptId()));
        }
        onChange.run();
    }

    /**
     * Asks the running prompt to stop at its next check (next node, next sampler step). With a prompt id, only that
     * prompt is interrupted; without, whatever runs. Nothing happens when nothing runs.
     */
    synchronized void interrupt(String promptId) {
        if (running != null && (promptId == null || promptId.equals(running.promptId()))) {
            interruptRequested = true;
        }
    }

    boolean interruptRequested() {
        return interruptRequested;
    }
}
