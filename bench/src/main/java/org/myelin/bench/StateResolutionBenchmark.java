package org.myelin.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.stateres.StateResolver;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * State resolution of a fork in a room of 10,000 members: two state sets of ~10,000 entries that
 * differ in six (a ban, a topic and a power-level change on one side; a kick by the demoted
 * moderator, a join and a leave on the other).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class StateResolutionBenchmark {

    @Param({"10000"})
    int members;

    @Param({"11", "12"})
    String roomVersion;

    private RoomVersion version;
    private LargeRoom room;
    private List<Map<StateKey, String>> states;

    @Setup(Level.Trial)
    public void setUp() {
        version = RoomVersions.find(roomVersion).orElseThrow();
        room = new LargeRoom(version);
        LargeRoom.Branch main = room.build(members);
        LargeRoom.Branch a = main.fork();
        LargeRoom.Branch b = main.fork();
        a.member(LargeRoom.CREATOR, "@user17:s17.example", "ban");
        a.send(LargeRoom.CREATOR, "m.room.topic", "", JsonNodeFactory.instance.objectNode().put("topic", "a fork"));
        ObjectNode pl = JsonNodeFactory.instance.objectNode();
        pl.putObject("users");
        a.send(LargeRoom.CREATOR, "m.room.power_levels", "", pl);
        b.member("@mod:a.example", "@user99:s49.example", "leave");
        b.member("@newcomer:n.example", "@newcomer:n.example", "join");
        b.member("@user42:s42.example", "@user42:s42.example", "leave");
        states = List.of(Map.copyOf(a.state), Map.copyOf(b.state));
    }

    @Benchmark
    public Map<StateKey, String> resolveFork() {
        return StateResolver.resolve(version, states, room);
    }
}
