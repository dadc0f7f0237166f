package org.myelin.bench;

import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.subtle.Ed25519Verify;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.server.keys.NativeEd25519;
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

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.concurrent.TimeUnit;

/**
 * Is Tink the bottleneck of signature checking? Tink's pure-Java Ed25519 against the JDK's own
 * (SunEC) and BouncyCastle's, and against what the server uses: the project's {@code SigningKey}
 * and {@code VerifyKey}, that is Tink through Conscrypt once {@code NativeEd25519} has installed
 * it. Same key, same 700-byte message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Ed25519ProviderBenchmark {

    private byte[] message;
    private byte[] seed;
    private byte[] publicKey;
    private byte[] signature;
    private Ed25519Sign tinkSign;
    private Ed25519Verify tinkVerify;
    private PrivateKey jdkPrivate;
    private PublicKey jdkPublic;
    private SigningKey myelinSign;
    private VerifyKey myelinVerify;

    @Setup
    public void setUp() throws Exception {
        seed = new byte[32];
        seed[0] = 7;
        message = new byte[700];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) ('a' + i % 26);
        }
        publicKey = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed).getPublicKey();
        tinkSign = new Ed25519Sign(seed);
        tinkVerify = new Ed25519Verify(publicKey);
        signature = tinkSign.sign(message);

        KeyFactory factory = KeyFactory.getInstance("Ed25519");
        jdkPrivate = factory.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        jdkPublic = factory.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point(publicKey)));
        if (!jdkVerify()) {
            throw new IllegalStateException("JDK and Tink disagree on the signature");
        }
        if (!NativeEd25519.install()) {
            throw new IllegalStateException("Conscrypt did not load");
        }
        myelinSign = SigningKey.fromSeed("1", seed);
        myelinVerify = myelinSign.verifyKey();
        if (!java.util.Arrays.equals(signature, myelinSign.sign(message)) || !myelinVerify()) {
            throw new IllegalStateException("Tink through Conscrypt and pure-Java Tink disagree on the signature");
        }
    }

    /** RFC 8032 encoding: y little-endian, the top bit of the last byte is x's parity. */
    private static EdECPoint point(byte[] encoded) {
        byte[] be = new byte[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            be[i] = encoded[encoded.length - 1 - i];
        }
        boolean xOdd = (be[0] & 0x80) != 0;
        be[0] &= 0x7F;
        return new EdECPoint(xOdd, new BigInteger(1, be));
    }

    @Benchmark
    public byte[] tinkSign() throws Exception {
        return tinkSign.sign(message);
    }

    @Benchmark
    public boolean tinkVerify() {
        try {
            tinkVerify.verify(signature, message);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Benchmark
    public byte[] myelinSign() {
        return myelinSign.sign(message);
    }

    @Benchmark
    public boolean myelinVerify() {
        return myelinVerify.verify(message, signature);
    }

    @Benchmark
    public byte[] bouncyCastleSign() {
        byte[] out = new byte[org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, message, 0, message.length, out, 0);
        return out;
    }

    @Benchmark
    public boolean bouncyCastleVerify() {
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    @Benchmark
    public byte[] jdkSign() throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(jdkPrivate);
        s.update(message);
        return s.sign();
    }

    @Benchmark
    public boolean jdkVerify() throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(jdkPublic);
        s.update(message);
        return s.verify(signature);
    }
}
