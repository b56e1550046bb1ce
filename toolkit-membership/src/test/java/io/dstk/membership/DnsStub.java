package io.dstk.membership;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal DNS server on 127.0.0.1 (UDP, ephemeral port) that answers A queries for one name with fixed addresses
 * and NXDOMAIN for anything else. Enough for JGroups' DNS_PING through JNDI.
 */
final class DnsStub implements AutoCloseable {
  private final DatagramSocket socket;
  private final String name;
  private final List<byte[]> addresses;
  private final AtomicInteger queries = new AtomicInteger();
  private final Thread thread;

  DnsStub(String name, InetAddress... addresses) throws SocketException {
    this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    this.name = name.toLowerCase();
    this.addresses = new ArrayList<>();
    for (InetAddress a : addresses) {
      this.addresses.add(a.getAddress());
    }
    this.thread = new Thread(this::serve, "dns-stub");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  String hostPort() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  int queries() {
    return queries.get();
  }

  private void serve() {
    byte[] buf = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
        byte[] answer = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
        if (answer != null) {
          socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private byte[] answer(ByteBuffer q) {
    queries.incrementAndGet();
    short id = q.getShort();
    q.getShort(); // flags
    if (q.getShort() != 1) {
      return null;
    }
    q.position(12);
    StringBuilder qname = new StringBuilder();
    int len;
    while ((len = q.get() & 0xff) != 0) {
      byte[] label = new byte[len];
      q.get(label);
      if (qname.length() > 0) {
        qname.append('.');
      }
      qname.append(new String(label, StandardCharsets.US_ASCII));
    }
    int qtype = q.getShort() & 0xffff;
    q.getShort(); // class
    int questionEnd = q.position();
    byte[] question = new byte[questionEnd - 12];
    q.position(12);
    q.get(question);
    boolean match = qname.toString().toLowerCase().equals(name) && qtype == 1;
    ByteBuffer r = ByteBuffer.allocate(512);
    r.putShort(id);
    r.putShort((short) (match ? 0x8180 : 0x8183));
    r.putShort((short) 1).putShort((short) (match ? addresses.size() : 0)).putShort((short) 0).putShort((short) 0);
    r.put(question);
    if (match) {
      for (byte[] a : addresses) {
        r.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(0).putShort((short) 4).put(a);
      }
    }
    byte[] out = new byte[r.position()];
    r.flip();
    r.get(out);
    return out;
  }

  @Override
  public void close() {
    socket.close();
  }
}
