package org.myelin.server.client.keys;

import org.myelin.protocol.id.ServerName;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/**
 * Asks several servers at once (each request bounded by its own timeout, in {@link RemoteKeys}),
 * so a query naming users of many servers waits for the slowest, not for the sum.
 */
final class ServersInParallel {

    private ServersInParallel() {
    }

    /** {@code ask} applied to each server and its part of the request, on virtual threads; the answers by server. */
    static <Q, A> Map<ServerName, A> ask(Map<ServerName, Q> byServer, BiFunction<ServerName, Q, A> ask) {
        Map<ServerName, A> answers = new LinkedHashMap<>();
        if (byServer.size() == 1) {
            byServer.forEach((server, request) -> answers.put(server, ask.apply(server, request)));
            return answers;
        }
        Map<ServerName, Future<A>> pending = new LinkedHashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            byServer.forEach((server, request) -> pending.put(server, threads.submit(() -> ask.apply(server, request))));
            for (Map.Entry<ServerName, Future<A>> e : pending.entrySet()) {
                try {
                    answers.put(e.getKey(), e.getValue().get());
                } catch (ExecutionException ex) {
                    throw ex.getCause() instanceof RuntimeException r ? r : new IllegalStateException(ex.getCause());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while asking other servers", ex);
                }
            }
        }
        return answers;
    }
}
