package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedNode;
import org.junit.jupiter.api.Test;

/** Ketama places keys exactly where spymemcached's KetamaNodeLocator does, collisions included. */
class KetamaAgreementTest {
    static {
        // spymemcached asserts that no two points collide (an AssertionError under -ea); production runs without -ea,
        // where TreeMap.put lets the later server win. Test it as it runs in production.
        MemcachedNode.class.getClassLoader().setPackageAssertionStatus("net.spy.memcached", false);
    }

    private static MemcachedNode stubNode(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
        return (MemcachedNode) Proxy.newProxyInstance(MemcachedNode.class.getClassLoader(),
                new Class<?>[] {MemcachedNode.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getSocketAddress" -> address;
                    case "toString" -> hostPort;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static KetamaNodeLocator spymemcached(List<String> servers) {
        List<MemcachedNode> nodes = servers.stream().map(KetamaAgreementTest::stubNode).toList();
        return new KetamaNodeLocator(new ArrayList<>(nodes), DefaultHashAlgorithm.KETAMA_HASH);
    }

    private static String ownerBySpymemcached(KetamaNodeLocator locator, String key) {
        return locator.getPrimary(key).toString();
    }

    private static List<String> servers(long seed, int count) {
        Random random = new Random(seed);
        List<String> servers = new ArrayList<>();
        while (servers.size() < count) {
            String s = "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + ":"
                    + (random.nextBoolean() ? 11211 : 11000 + random.nextInt(1000));
            if (!servers.contains(s)) {
                servers.add(s);
            }
        }
        return servers;
    }

    @Test
    void everyKeyLandsOnTheSameServerAsSpymemcached() {
        qt().withFixedSeed(21L).withExamples(40).forAll(integers().between(1, 60), longs().all())
                .checkAssert((n, seed) -> {
                    List<String> servers = servers(seed, n);
                    ConsistentHash<String> ketama = ConsistentHash.ketama(servers);
                    KetamaNodeLocator locator = spymemcached(servers);
                    Random random = new Random(seed);
                    for (int i = 0; i < 500; i++) {
                        String key = "user:" + random.nextInt(1_000_000) + (i % 7 == 0 ? "é" : "");
                        assertThat(ketama.nodeFor(key)).as("key %s", key).isEqualTo(ownerBySpymemcached(locator, key));
                        assertThat(ketama.nodeFor(key.getBytes(StandardCharsets.UTF_8)))
                                .isEqualTo(ketama.nodeFor(key));
                    }
                });
    }

    @Test
    void agreesWithSpymemcachedAfterServersJoinAndLeave() {
        List<String> servers = servers(22, 20);
        ConsistentHash<String> ketama = ConsistentHash.ketama(servers).withoutNode(servers.get(7))
                .withNode("10.1.2.3:11211");
        List<String> now = new ArrayList<>(servers);
        now.remove(7);
        now.add("10.1.2.3:11211");
        KetamaNodeLocator locator = spymemcached(now);
        for (int i = 0; i < 5000; i++) {
            assertThat(ketama.nodeFor("k" + i)).isEqualTo(ownerBySpymemcached(locator, "k" + i));
        }
    }

    /** A 32-bit point shared by two servers: the later server in list order owns it (spymemcached's TreeMap.put). */
    @Test
    void onAPointCollisionTheLaterServerWinsAsInSpymemcached() throws Exception {
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            servers.add("10.0." + (i / 250) + "." + (i % 250) + ":11211");
        }
        // Find a collision from the documented format (MD5 of "<server>-<n>", 4 little-endian points per digest).
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        Map<Long, String> firstOwner = new HashMap<>();
        TreeMap<Long, String> ring = new TreeMap<>();
        long collision = -1;
        String earlier = null;
        String later = null;
        for (String server : servers) {
            for (int d = 0; d < 40; d++) {
                byte[] digest = md5.digest((server + "-" + d).getBytes(StandardCharsets.UTF_8));
                for (int h = 0; h < 4; h++) {
                    long point = (digest[3 + h * 4] & 0xffL) << 24 | (digest[2 + h * 4] & 0xffL) << 16
                            | (digest[1 + h * 4] & 0xffL) << 8 | (digest[h * 4] & 0xffL);
                    String previous = firstOwner.putIfAbsent(point, server);
                    if (previous != null && !previous.equals(server) && collision < 0) {
                        collision = point;
                        earlier = previous;
                        later = server;
                    }
                    ring.put(point, server);
                }
            }
        }
        // Golden: the first collision in this list (found with spymemcached agreeing, below).
        assertThat(collision).isEqualTo(GOLDEN_COLLISION_POINT);
        assertThat(earlier).isEqualTo(GOLDEN_EARLIER);
        assertThat(later).isEqualTo(GOLDEN_LATER);
        // A key whose hash falls on the arc that ends at the collision point.
        long previousPoint = ring.lowerKey(collision);
        String key = null;
        for (int i = 0; key == null; i++) {
            byte[] digest = md5.digest(("key-" + i).getBytes(StandardCharsets.UTF_8));
            long hash = (digest[3] & 0xffL) << 24 | (digest[2] & 0xffL) << 16 | (digest[1] & 0xffL) << 8
                    | (digest[0] & 0xffL);
            if (hash > previousPoint && hash <= collision) {
                key = "key-" + i;
            }
        }
        assertThat(key).isEqualTo(GOLDEN_KEY);
        ConsistentHash<String> ketama = ConsistentHash.ketama(servers);
        assertThat(ketama.nodeFor(key)).isEqualTo(later).isEqualTo(ownerBySpymemcached(spymemcached(servers), key));
        // Reversing the list reverses the winner, in both implementations.
        List<String> reversed = new ArrayList<>(servers);
        java.util.Collections.reverse(reversed);
        assertThat(ConsistentHash.ketama(reversed).nodeFor(key)).isEqualTo(earlier)
                .isEqualTo(ownerBySpymemcached(spymemcached(reversed), key));
        // Removing the winner uncovers the other server's point.
        assertThat(ketama.withoutNode(later).nodeFor(key)).isEqualTo(earlier);
    }

    private static final long GOLDEN_COLLISION_POINT = 3152960057L;
    private static final String GOLDEN_EARLIER = "10.0.2.53:11211";
    private static final String GOLDEN_LATER = "10.0.2.161:11211";
    private static final String GOLDEN_KEY = "key-78592";
}
