package io.dstk.samples;

import io.dstk.idgen.ClockSafety;
import io.dstk.idgen.IdGenerator;
import io.dstk.idgen.ShortCodes;
import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.SnowflakeLayout;
import io.dstk.idgen.Ulid;
import io.dstk.idgen.UlidGenerator;
import io.dstk.idgen.UuidV7;
import io.dstk.idgen.WorkerIdSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * Generating and decoding ids with toolkit-idgen: a Snowflake generator, UUIDv7, ULID and short codes.
 *
 * <p>Run: {@code mvn -B -q -Pdemo -pl samples -am -DskipTests package -Ddstk.demo.mainClass=io.dstk.samples.IdgenQuickstart}
 */
public final class IdgenQuickstart {

    private IdgenQuickstart() {
    }

    /**
     * Runs the quickstart.
     *
     * @param args unused
     * @throws Exception if the high-water file cannot be created
     */
    public static void main(String[] args) throws Exception {
        // 1. A Snowflake generator with Twitter's layout. The worker id comes from configuration (here fixed;
        //    WorkerIdSource.fromEnvironment("WORKER_ID") in a deployment) - never from an IP or MAC address.
        //    The high-water file keeps ids unique across restarts even if the clock went back meanwhile.
        Path highWater = Files.createTempDirectory("idgen").resolve("worker-7.hwm");
        try (SnowflakeGenerator ids = IdGenerator.snowflake(SnowflakeLayout.twitter())
                .workerIds(WorkerIdSource.fixed(7).withHighWaterFile(highWater))
                .clockSafety(ClockSafety.logicalClock(Duration.ofMillis(100), Duration.ofSeconds(1)))
                .build()) {
            long id = ids.nextId();
            long[] block = ids.nextIds(3);
            System.out.println("snowflake id: " + id);
            System.out.println("decoded:      " + ids.layout().decode(id));
            System.out.println("block of 3:   " + block[0] + ", " + block[1] + ", " + block[2]);
            System.out.println("short codes:  base62 " + ShortCodes.toBase62(id) + ", crockford "
                    + ShortCodes.toCrockford32(id));
            System.out.println("issued so far: " + ids.stats().idsIssued());
        }

        // 2. Decoding someone else's id: Discord's documented example.
        System.out.println("discord:      " + SnowflakeLayout.discord().decode(175928847299117063L));

        // 3. UUIDv7 (RFC 9562): time-ordered UUIDs; secure() draws the random bits from SecureRandom.
        UuidV7 uuids = UuidV7.secure();
        UUID uuid = uuids.next();
        System.out.println("uuid v7:      " + uuid + " made at " + UuidV7.timestampOf(uuid));

        // 4. ULID: monotonic within a millisecond, 26 characters of Crockford base32.
        UlidGenerator ulids = UlidGenerator.monotonic();
        Ulid first = ulids.next();
        Ulid second = ulids.next();
        System.out.println("ulid:         " + first + " < " + second + " : " + (first.compareTo(second) < 0));
        System.out.println("parsed back:  " + Ulid.parse(first.toString().toLowerCase(java.util.Locale.ROOT)).equals(first));
    }
}
