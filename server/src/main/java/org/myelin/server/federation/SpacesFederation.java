package org.myelin.server.federation;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.server.client.spaces.SpaceServices;
import org.myelin.server.config.Resource;
import org.myelin.server.http.Routes;

import java.util.List;
import java.util.Map;

/**
 * Spaces across servers: other servers' hierarchies asked for our users (plugged into
 * {@link SpaceServices}), ours served to them.
 */
public final class SpacesFederation implements AutoCloseable {

    private final FederationAuth auth;
    private final SpaceServices spaces;
    private final FederatedHierarchy remote;

    public SpacesFederation(FederationServices federation, SpaceServices spaces, String serverName) {
        this.auth = new FederationAuth(federation.authenticator, origin -> federation.outbound().remoteServerUp(origin));
        this.spaces = spaces;
        this.remote = new FederatedHierarchy(federation.client, serverName);
        spaces.useRemote(remote);
    }

    /** The federation route of {@code /hierarchy}. */
    public Map<Resource, List<Routes>> routes() {
        return Map.of(Resource.FEDERATION, List.of(new SpaceHierarchyRoutes(auth, spaces.served)));
    }

    @Override
    public void close() {
        remote.close();
    }

    /** The caches of this part's parts, by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return remote.caches();
    }
}
