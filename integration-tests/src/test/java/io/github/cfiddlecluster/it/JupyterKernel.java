package io.github.cfiddlecluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Executes code in a kernel of a running Jupyter server (a student's server behind the hub, with the student's
 * token), as the notebook UI does: a session for a notebook path (REST), then execute_request messages on the
 * kernel's websocket channels, collecting the outputs.
 */
public final class JupyterKernel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HubHttp.client().build();
    private final String baseUrl;
    private final String token;
    private final String sessionId;
    private final String jupyterSession = UUID.randomUUID().toString();
    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    private JupyterKernel(String baseUrl, String token, String notebookPath) throws IOException, InterruptedException {
        this.baseUrl = baseUrl;
        this.token = token;
        ObjectNode request = JSON.createObjectNode().put("path", notebookPath).put("type", "notebook").put("name", "");
        request.putObject("kernel").put("name", "python3");
        JsonNode session = send("POST", "/api/sessions", request.toString());
        sessionId = session.get("id").asText();
        String kernelId = session.get("kernel").get("id").asText();
        URI channels = URI.create(baseUrl.replaceFirst("^http", "ws") + "/api/kernels/" + kernelId
                + "/channels?session_id=" + jupyterSession);
        // The token in a header, as for every other call (JupyterHub 5's servers refuse one in the URL here).
        socket = HubHttp.webSocket(http, channels).header("Authorization", "token " + token)
                .buildAsync(HubHttp.connectTo(channels), new Collector()).join();
    }

    /** A kernel for the notebook at {@code notebookPath} (relative to the server's notebook directory). */
    public static JupyterKernel open(String baseUrl, String token, String notebookPath) throws IOException, InterruptedException {
        return new JupyterKernel(baseUrl, token, notebookPath);
    }

    /** The notebook file as the server serves it. */
    public static JsonNode notebook(String baseUrl, String token, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HubHttp.client().build().send(HubHttp.request(URI.create(baseUrl + "/api/contents/" + path + "?content=1"))
                .header("Authorization", "token " + token).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /api/contents/" + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("content");
    }

    /** Runs {@code code} and returns its outputs (stream text, results, errors) once the kernel is idle again. */
    public Outputs execute(String code, Duration deadline) throws InterruptedException {
        String msgId = UUID.randomUUID().toString();
        ObjectNode message = JSON.createObjectNode();
        message.putObject("header").put("msg_id", msgId).put("msg_type", "execute_request").put("session", jupyterSession)
                .put("username", "integration-test").put("version", "5.3");
        message.putObject("parent_header");
        message.putObject("metadata");
        message.putObject("content").put("code", code).put("silent", false).put("store_history", true)
                .put("allow_stdin", false).put("stop_on_error", true).putObject("user_expressions");
        message.put("channel", "shell");
        message.putArray("buffers");
        socket.sendText(message.toString(), true).join();

        Outputs outputs = new Outputs();
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            JsonNode m = messages.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("the kernel did not finish within " + deadline + ": " + code + "\nso far: " + outputs);
            }
            if (!msgId.equals(m.path("parent_header").path("msg_id").asText())) {
                continue;
            }
            JsonNode content = m.path("content");
            switch (m.path("header").path("msg_type").asText()) {
                case "stream" -> {
                    outputs.text.add(content.path("text").asText());
                    if ("stderr".equals(content.path("name").asText())) {
                        outputs.stderr.add(content.path("text").asText());
                    }
                }
                case "execute_result", "display_data" -> {
                    outputs.text.add(content.path("data").path("text/plain").asText());
                    if (content.path("data").has("image/png")) {
                        outputs.images++;
                    }
                }
                case "error" -> outputs.errors.add(content.path("ename").asText() + ": " + content.path("evalue").asText());
                case "status" -> {
                    if ("idle".equals(content.path("execution_state").asText())) {
                        return outputs;
                    }
                }
                default -> { }
            }
        }
    }

    public static final class Outputs {
        public final List<String> text = new ArrayList<>();
        public final List<String> errors = new ArrayList<>();
        /** What went to stderr (Jupyter shows it in the error style). */
        public final List<String> stderr = new ArrayList<>();
        /** How many outputs were PNG images (e.g. a plot rendered by the inline backend). */
        public int images;

        public String joined() {
            return String.join("", text);
        }

        @Override
        public String toString() {
            return "text=" + text + " errors=" + errors + " images=" + images;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        send("DELETE", "/api/sessions/" + sessionId, null);
    }

    private JsonNode send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HubHttp.request(URI.create(baseUrl + path))
                .header("Authorization", "token " + token)
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    /** Reassembles text frames into messages. */
    private final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    messages.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException("not a Jupyter message: " + partial, e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
