package org.myelin.server.http;

import io.vertx.ext.web.Router;

/**
 * One group of endpoints (one {@code *Routes} class per group). {@link #mount} registers
 * each route with a handler wrapped by {@link Handlers#blocking}.
 */
@FunctionalInterface
public interface Routes {
    void mount(Router router, Handlers handlers);
}
