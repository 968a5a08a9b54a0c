package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Behaviour;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.Json;
import io.vertx.core.http.ServerWebSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sockets of {@code GET /ws?clientId=...}, keyed by client id as ComfyUI's {@code sockets} dict. Events for a
 * prompt go to the socket of its client_id; a null target broadcasts (status updates, interrupts without a client).
 * A DROP planned for the "ws-events" operation closes every open socket in place of the next frame (a server
 * restarting mid-render, a proxy cutting idle sockets): that frame and the ones until the client reconnects are lost.
 */
final class WebSocketHub {
    /** Going away (RFC 6455): what a client sees when the server's side of the socket is torn down. */
    private static final short GOING_AWAY = 1001;

    private final Map<String, ServerWebSocket> sockets = new ConcurrentHashMap<>();
    private final Behaviour behaviour;

    WebSocketHub(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    /** Registers a socket (a reconnect with the same id replaces the old one) and greets it with status + sid. */
    void connect(String clientId, ServerWebSocket ws, int queueRemaining) {
        String sid = clientId == null || clientId.isEmpty() ? UUID.randomUUID().toString().replace("-", "") : clientId;
        sockets.put(sid, ws);
        ws.closeHandler(v -> sockets.remove(sid, ws));
        ObjectNode data = Json.object();
        data.set("status", status(queueRemaining));
        data.put("sid", sid);
        write(ws, "status", data);
    }

    /** Sends {@code {"type": type, "data": data}} to {@code clientId}, or to every socket when it is null. */
    void send(String type, ObjectNode data, String clientId) {
        if (behaviour.takeFault("ws-events") == Fault.DROP) {
            dropAll();
            return;
        }
        if (clientId == null) {
            sockets.values().forEach(ws -> write(ws, type, data));
            return;
        }
        ServerWebSocket ws = sockets.get(clientId);
        if (ws != null) {
            write(ws, type, data);
        }
    }

    /** The queue_updated broadcast: a status frame without sid. */
    void broadcastStatus(int queueRemaining) {
        ObjectNode data = Json.object();
        data.set("status", status(queueRemaining));
        send("status", data, null);
    }

    /** Closes every open socket as a dropped connection would; clients may connect again. */
    private void dropAll() {
        sockets.forEach((sid, ws) -> {
            sockets.remove(sid, ws);
            ws.close(GOING_AWAY, "dropped");
        });
    }

    void closeAll() {
        sockets.values().forEach(ws -> ws.close());
        sockets.clear();
    }

    private static ObjectNode status(int queueRemaining) {
        ObjectNode status = Json.object();
        status.putObject("exec_info").put("queue_remaining", queueRemaining);
        return status;
    }

    private static void write(ServerWebSocket ws, String type, ObjectNode data) {
        ObjectNode frame = Json.object().put("type", type);
        frame.set("data", data);
        if (!ws.isClosed()) {
            ws.writeTextMessage(frame.toString());
        }
    }
}
