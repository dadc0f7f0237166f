package org.myelin.server.health;

import io.vertx.ext.web.Router;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.DatabaseHealth;

/**
 * {@code GET /health}, on every listener, for load balancers and supervisors (as Synapse's):
 * 200 {@code OK} in plain text while the database answers, 503 while it does not. It reports
 * the last answer of the periodic check ({@link DatabaseHealth}) and asks nothing itself, so it
 * is cheap whoever calls it and however often.
 */
public final class HealthRoutes implements Routes {

    private final DatabaseHealth database;

    public HealthRoutes(DatabaseHealth database) {
        this.database = database;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        // On the event loop: it reads one field.
        router.get("/health").handler(ctx -> {
            if (database.healthy()) {
                ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end("OK");
            } else {
                ctx.fail(MatrixException.unknownBadRequest("The database is unavailable").withStatus(503));
            }
        });
    }
}
