package org.myelin.protocol.base64;

import java.util.Base64;

/** Placeholder until the protocol-ids branch lands; same API. */
public final class UnpaddedBase64 {
    private UnpaddedBase64() {
    }

    public static String encode(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String encodeUrlSafe(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static byte[] decode(String s) {
        return Base64.getDecoder().decode(s);
    }

    public static byte[] decodeUrlSafe(String s) {
        return Base64.getUrlDecoder().decode(s);
    }
}
