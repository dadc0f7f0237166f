package org.myelin.federation.discovery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Host name to addresses (CNAME, AAAA, A): the system resolver in production, a fake in tests. */
@FunctionalInterface
public interface AddressResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JDK's resolver (blocking; called on virtual threads). An IP literal is parsed, not looked up. */
    AddressResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
}
