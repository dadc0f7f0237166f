package org.myelin.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventHashes;
import org.myelin.protocol.event.EventIds;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.version.RoomVersions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-event protocol costs: canonical JSON, Ed25519 signing and verifying, event ids.
 * A typical m.room.message PDU of about 700 bytes, room version 12.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProtocolBenchmark {

    private SigningKey key;
    private VerifyKey verifyKey;
    private Pdu pdu;
    private ObjectNode unsigned;
    private ObjectNode signed;
    private byte[] message;
    private byte[] signature;

    @Setup
    public void setUp() {
        key = SigningKey.fromSeed("bench", new byte[32]);
        verifyKey = key.verifyKey();
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        content.put("msgtype", "m.text");
        content.put("body", "The quick brown fox jumps over the lazy dog, again and again, in a Matrix room.");
        content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", "$" + "a".repeat(43));
        EventBuilder builder = EventBuilder.in(RoomVersions.V12, "!" + "r".repeat(43))
                .type("m.room.message").sender("@alice:example.org").content(content)
                .prevEvents(List.of("$" + "p".repeat(43)))
                .authEvents(List.of("$" + "x".repeat(43), "$" + "y".repeat(43), "$" + "z".repeat(43)))
                .depth(12345).originServerTs(1_700_000_000_000L);
        unsigned = builder.unsignedJson();
        pdu = builder.build("example.org", key);
        signed = pdu.json();
        message = CanonicalJson.encode(unsigned);
        signature = key.sign(message);
    }

    @Benchmark
    public byte[] canonicalJsonEncode() {
        return CanonicalJson.encode(signed);
    }

    @Benchmark
    public byte[] ed25519Sign() {
        return key.sign(message);
    }

    @Benchmark
    public boolean ed25519Verify() {
        return verifyKey.verify(message, signature);
    }

    @Benchmark
    public ObjectNode hashAndSignEvent() {
        return EventSigning.hashAndSign(unsigned, RoomVersions.V12, "example.org", key);
    }

    @Benchmark
    public boolean verifyEventSignature() {
        return EventSigning.verify(signed, RoomVersions.V12, "example.org", verifyKey);
    }

    @Benchmark
    public String eventId() {
        return EventIds.of(signed, RoomVersions.V12);
    }

    /**
     * What a received PDU costs the protocol module: parse and format checks, event id, content
     * hash and one signature check with the sender's key.
     */
    @Benchmark
    public boolean receivePdu() {
        Pdu received = Pdu.parse(signed, RoomVersions.V12);
        return EventHashes.contentHashMatches(received.json())
                && EventSigning.verify(received, "example.org", verifyKey);
    }

    @Benchmark
    public Pdu parseEvent() {
        return Pdu.parse(signed, RoomVersions.V12);
    }
}
