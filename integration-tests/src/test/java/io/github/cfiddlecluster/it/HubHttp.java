package io.github.cfiddlecluster.it;

import java.net.http.HttpClient;

/** HTTP clients for the hub's proxy. */
final class HubHttp {
    private HubHttp() {
    }

    /**
     * Plain HTTP/1.1: Java's default (HTTP/2) asks a plain-http server to upgrade to h2c, and the hub's proxy
     * (configurable-http-proxy) closes such a request without an answer.
     */
    static HttpClient.Builder client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    }
}
