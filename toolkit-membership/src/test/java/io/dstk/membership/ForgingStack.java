package io.dstk.membership;

import io.dstk.membership.internal.Envelope;
import io.dstk.membership.internal.MemberInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.util.ExtendedUUID;

/**
 * A bare JGroups stack built from a {@link ClusterConfig} (same protocols, same credentials) that announces itself as a
 * dstk member and writes correctly framed dstk messages, but skips every check {@link Cluster#join} makes. Security
 * tests use it as an intruder (untrusted credentials) and as its control (trusted credentials): whatever it manages to
 * deliver, a real attacker with the same credentials could deliver too.
 */
final class ForgingStack implements AutoCloseable {
  private final JChannel channel;
  private final List<Message> received = new CopyOnWriteArrayList<>();

  private ForgingStack(JChannel channel) {
    this.channel = channel;
  }

  /** Opens the stack of {@code config}, with the member announcement {@link Cluster#join} would add, and connects. */
  static ForgingStack connect(ClusterConfig config) throws Exception {
    JChannel ch = JGroupsStack.open(config);
    byte[] info = new MemberInfo(config.wireVersion(), config.nodeName(), config.metadata()).encode();
    ch.name(config.nodeName());
    ch.addAddressGenerator(() -> ExtendedUUID.randomUUID(config.nodeName()).put(MemberInfo.KEY, info));
    ForgingStack s = new ForgingStack(ch);
    ch.setReceiver(new Receiver() {
      @Override
      public void receive(Message msg) {
        s.received.add(msg);
      }
    });
    try {
      ch.connect(config.clusterName());
    } catch (Exception e) {
      ch.close();
      throw e;
    }
    return s;
  }

  /** The dstk envelope a member sends on {@code topic} with a UTF-8 payload. */
  static byte[] frame(String topic, String text) {
    return frame(ClusterConfig.WIRE_VERSION, topic, text);
  }

  /** The dstk envelope of wire version {@code version} on {@code topic} with a UTF-8 payload. */
  static byte[] frame(int version, String topic, String text) {
    return new Envelope(version, Envelope.KIND_SEND, 0, -1, topic, text.getBytes(StandardCharsets.UTF_8)).encode();
  }

  /**
   * Sends {@code bytes} to {@code target} alone; the transport is first told the target's physical address, so the
   * message really goes out even if discovery never reached the target.
   */
  void sendTo(Cluster target, byte[] bytes) throws Exception {
    Address dest = target.channel().getAddress();
    PhysicalAddress physical = (PhysicalAddress) target.channel().down(
        new Event(Event.GET_PHYSICAL_ADDRESS, dest));
    channel.getProtocolStack().getTransport().addPhysicalAddressToCache(dest, physical);
    channel.send(new BytesMessage(dest, bytes));
  }

  /** Sends {@code bytes} to every member of this stack's view (and on UDP to the multicast group). */
  void broadcast(byte[] bytes) throws Exception {
    channel.send(new BytesMessage(null, bytes).setFlag(Message.TransientFlag.DONT_LOOPBACK));
  }

  /** Every message this stack received from others. */
  List<Message> received() {
    return received;
  }

  /** This stack's own view. */
  List<Address> viewMembers() {
    return channel.getView().getMembers();
  }

  Address address() {
    return channel.getAddress();
  }

  @Override
  public void close() {
    channel.close();
  }
}
