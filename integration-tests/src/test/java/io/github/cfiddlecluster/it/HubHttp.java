package io.github.cfiddlecluster.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;

/**
 * HTTP clients for the hub's proxy, reaching its per-student origins as a browser does. Each student's server
 * is at NAME.localhost (the hub's subdomain_host); browsers resolve every *.localhost to loopback, the JVM does
 * not. So a request for NAME.localhost is sent to localhost with the name in its Host header, which is all the
 * proxy routes by (this needs {@code jdk.httpclient.allowRestrictedHeaders=host}, set by the failsafe
 * configuration). Cookies are kept by the callers under the name the browser would use (see HubSession).
 */
final class HubHttp {
    private static final String LOOPBACK_SUFFIX = ".localhost";

    private HubHttp() {
    }

    /**
     * Plain HTTP/1.1: Java's default (HTTP/2) asks a plain-http server to upgrade to h2c, and the hub's proxy
     * (configurable-http-proxy) closes such a request without an answer.
     */
    static HttpClient.Builder client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    }

    /** A request for {@code uri} (http), sent where a browser would send it. */
    static HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(connectTo(uri));
        return isLoopbackName(uri) ? builder.header("Host", authority(uri)) : builder;
    }

    /** A websocket builder for {@code uri} (ws), with the Host header a browser would send; pass the URI through {@link #connectTo}. */
    static WebSocket.Builder webSocket(HttpClient http, URI uri) {
        WebSocket.Builder builder = http.newWebSocketBuilder();
        return isLoopbackName(uri) ? builder.header("Host", authority(uri)) : builder;
    }

    /** Where the connection for {@code uri} goes: localhost for any NAME.localhost, else the URI itself. */
    static URI connectTo(URI uri) {
        if (!isLoopbackName(uri)) {
            return uri;
        }
        String s = uri.toString();
        int hostStart = s.indexOf("//") + 2;
        return URI.create(s.substring(0, hostStart) + "localhost" + s.substring(hostStart + uri.getHost().length()));
    }

    /** {@code http://localhost:PORT} with NAME as a subdomain: where the hub serves NAME's own server. */
    static String subdomainUrl(String hubUrl, String name) {
        URI hub = URI.create(hubUrl);
        return hub.getScheme() + "://" + name + "." + hub.getHost() + (hub.getPort() < 0 ? "" : ":" + hub.getPort());
    }

    private static boolean isLoopbackName(URI uri) {
        return uri.getHost() != null && uri.getHost().endsWith(LOOPBACK_SUFFIX);
    }

    private static String authority(URI uri) {
        return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}
