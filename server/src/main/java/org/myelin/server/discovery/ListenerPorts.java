package org.myelin.server.discovery;

import java.util.OptionalInt;
import org.myelin.server.config.Resource;

/** The port a resource is actually served on (known only after binding when configured as 0). */
@FunctionalInterface
public interface ListenerPorts {
    OptionalInt portServing(Resource resource);
}
