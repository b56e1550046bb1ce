package io.dstk.ratelimit.cluster;

import io.dstk.membership.PayloadCodec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/*
 * Wire format of lease requests and answers (big-endian), version 1:
 *   request: u8 version=1 | i32 want | key as UTF-8 (the rest of the payload, 1..1024 bytes)
 *   answer:  u8 version=1 | u8 status (0 granted, 1 not the owner) | i64 granted | i64 retryAfterNanos
 * A reader refuses any other version (IllegalArgumentException, answered as a handler error).
 */
final class LeaseCodec {
    static final byte VERSION = 1;
    static final int MAX_KEY_BYTES = 1024;

    record Request(String key, int want) {
    }

    record Answer(int status, long granted, long retryAfterNanos) {
        static final int GRANTED = 0;
        static final int NOT_OWNER = 1;
    }

    static final PayloadCodec<Request> REQUEST = new PayloadCodec<>() {
        @Override
        public byte[] encode(Request r) {
            byte[] key = r.key().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(5 + key.length).put(VERSION).putInt(r.want()).put(key).array();
        }

        @Override
        public Request decode(byte[] bytes) {
            if (bytes.length < 6 || bytes.length > 5 + MAX_KEY_BYTES) {
                throw new IllegalArgumentException("lease request must be 6.." + (5 + MAX_KEY_BYTES)
                        + " bytes, was " + bytes.length);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            version(b.get());
            int want = b.getInt();
            if (want <= 0) {
                throw new IllegalArgumentException("lease request want must be positive, was " + want);
            }
            try {
                String key = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
                return new Request(key, want);
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("lease request key is not valid UTF-8", e);
            }
        }
    };

    static final PayloadCodec<Answer> ANSWER = new PayloadCodec<>() {
        @Override
        public byte[] encode(Answer a) {
            return ByteBuffer.allocate(18).put(VERSION).put((byte) a.status()).putLong(a.granted())
                    .putLong(a.retryAfterNanos()).array();
        }

        @Override
        public Answer decode(byte[] bytes) {
            if (bytes.length != 18) {
                throw new IllegalArgumentException("lease answer must be 18 bytes, was " + bytes.length);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            version(b.get());
            int status = b.get();
            if (status != Answer.GRANTED && status != Answer.NOT_OWNER) {
                throw new IllegalArgumentException("lease answer status must be 0 or 1, was " + status);
            }
            long granted = b.getLong();
            long retry = b.getLong();
            if (granted < 0 || retry < 0) {
                throw new IllegalArgumentException("lease answer numbers must not be negative: " + granted + ", "
                        + retry);
            }
            return new Answer(status, granted, retry);
        }
    };

    private static void version(byte v) {
        if (v != VERSION) {
            throw new IllegalArgumentException("unsupported lease format version " + v + " (this version reads 1)");
        }
    }

    private LeaseCodec() {
    }
}
