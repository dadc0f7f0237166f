package org.myelin.server.federation;

import org.myelin.server.RoomServices;
import org.myelin.server.client.keys.RemoteKeys;
import org.myelin.server.client.keys.ServedKeys;
import org.myelin.server.config.Resource;
import org.myelin.server.http.Routes;
import org.myelin.storage.keys.DeviceListOutboundRepository;
import org.myelin.storage.keys.RemoteDeviceListRepository;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

/**
 * End-to-end encryption keys across servers, wired by constructors: other servers' users' keys
 * for our clients ({@link #remoteKeys}, handed to the keys endpoints), the cache of remote device
 * lists kept by their EDUs, and, once our keys exist ({@link #serve}), our users' keys for other
 * servers and the device list updates we send them.
 */
public final class KeysFederation implements AutoCloseable {

    private final FederationServices federation;
    private final RoomServices rooms;
    private final RemoteDeviceLists remoteLists;
    private final FederatedKeys remoteKeys;
    private final DeviceListOutboundRepository told;
    private DeviceListPublisher publisher;
    private ServedKeys served;

    public KeysFederation(FederationServices federation, RoomServices rooms, DataSource dataSource) {
        this.federation = federation;
        this.rooms = rooms;
        this.remoteLists = new RemoteDeviceLists(new RemoteDeviceListRepository(dataSource), rooms.local,
                rooms.memberships, rooms.streams, federation.client, rooms.clock);
        rooms.onCommit(remoteLists::committed);
        remoteLists.forgetUnshared();
        this.remoteKeys = new FederatedKeys(federation.client, remoteLists);
        this.told = new DeviceListOutboundRepository(dataSource);
        federation.useInboundDeviceLists(remoteLists);
    }

    /** Other servers' users' keys, for {@code /keys/query} and {@code /keys/claim}. */
    public RemoteKeys remoteKeys() {
        return remoteKeys;
    }

    /** Serves our users' keys to other servers and tells them of changes. */
    public void serve(ServedKeys keys) {
        this.served = keys;
        this.publisher = new DeviceListPublisher(rooms.local, keys, told, rooms.memberships,
                destination -> federation.outbound().queued(destination), rooms.clock);
        keys.listen(publisher::changed);
        publisher.catchUp();
    }

    /** The federation routes: {@code /user/keys/query}, {@code /user/keys/claim}, {@code /user/devices}. */
    public Map<Resource, List<Routes>> routes() {
        if (served == null) {
            throw new IllegalStateException("serve(keys) first");
        }
        FederationAuth auth = new FederationAuth(federation.authenticator,
                origin -> federation.outbound().remoteServerUp(origin));
        return Map.of(Resource.FEDERATION, List.of(new UserKeysRoutes(auth, rooms.local, served, told)));
    }

    @Override
    public void close() {
        if (publisher != null) {
            publisher.close();
        }
        remoteKeys.close();
        remoteLists.close();
    }
}
