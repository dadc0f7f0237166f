package org.myelin.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A group of HTTP APIs that a listener can serve; one port can serve several. */
public enum Resource {
    /** The client-server API ({@code /_matrix/client}) and {@code /.well-known/matrix/*}. */
    @JsonProperty("client") CLIENT,
    /** The server-server API ({@code /_matrix/federation}). */
    @JsonProperty("federation") FEDERATION,
    /** Publishing and querying server signing keys ({@code /_matrix/key}). */
    @JsonProperty("keys") KEYS,
    /** The content repository ({@code /_matrix/media}, {@code /_matrix/client/v1/media}). */
    @JsonProperty("media") MEDIA,
    /**
     * Prometheus metrics ({@code /metrics}, {@code /_synapse/metrics}); served by no listener by
     * default, and best on its own listener on loopback.
     */
    @JsonProperty("metrics") METRICS;

    /** The name used in the config file. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
