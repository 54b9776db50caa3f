package io.github.cfiddlecluster.dashboard.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * JupyterHub as the dashboard's OAuth 2 provider (JupyterHub 5's service OAuth, as its own {@code HubOAuth} does):
 * the browser is sent to the hub's authorize URL (on the same origin: the hub's proxy forwards
 * {@code /services/dashboard/} here), the hub logs the student in with their cluster account and sends them back
 * with a code, which this class exchanges for a token and the token for the account's name.
 */
public final class HubOAuth {
    private static final String ACCESS_ANY_SERVICE = "access:services";
    private final URI hubApi;
    private final String clientId;
    private final String clientSecret;
    private final String redirectPath;
    private final String accessScope;
    /** HTTP/1.1: Java's default HTTP/2 asks for an h2c upgrade, which the hub's proxy answers by closing. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param hubApi       the hub's API as this service reaches it (ends with '/')
     * @param redirectPath the callback path the hub registered for this service
     */
    public HubOAuth(URI hubApi, String clientId, String clientSecret, String redirectPath) {
        this.hubApi = hubApi;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.redirectPath = redirectPath;
        this.accessScope = "access:services!service=" + clientId.replaceFirst("^service-", "");
    }

    /** Where to send the browser (a path on the hub's origin, which is this service's origin too). */
    public String authorizePath(String state) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("client_id", clientId);
        fields.put("redirect_uri", redirectPath);
        fields.put("response_type", "code");
        fields.put("state", state);
        return hubApi.getPath() + "oauth2/authorize?" + form(fields);
    }

    /** The account the hub logged in, for the code it sent back; empty when the hub refuses the code. */
    public Optional<String> userForCode(String code) throws IOException, InterruptedException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("client_id", clientId);
        fields.put("client_secret", clientSecret);
        fields.put("grant_type", "authorization_code");
        fields.put("code", code);
        fields.put("redirect_uri", redirectPath);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(hubApi.resolve("oauth2/token"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        String token = mapper.readTree(response.body()).path("access_token").asText("");
        return token.isEmpty() ? Optional.empty() : userForToken(token);
    }

    /**
     * The account a hub token belongs to, if the token grants access to this service: one the hub issued to this
     * service's OAuth client, or one from the hub's token page that carries the access (for scripts). Empty for
     * any other token, e.g. a notebook server's own token, which a page in that server can read.
     */
    public Optional<String> userForToken(String token) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(hubApi.resolve("user"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "token " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        JsonNode user = mapper.readTree(response.body());
        // A service's own token identifies a service, never a user.
        if (!"user".equals(user.path("kind").asText("user")) || user.path("name").asText("").isEmpty()) {
            return Optional.empty();
        }
        for (JsonNode scope : user.path("scopes")) {
            if (ACCESS_ANY_SERVICE.equals(scope.asText()) || accessScope.equals(scope.asText())) {
                return Optional.of(user.get("name").asText());
            }
        }
        return Optional.empty();
    }

    /** The scope a token needs here (the hub names a service's OAuth client "service-NAME"). */
    public String accessScope() {
        return accessScope;
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
