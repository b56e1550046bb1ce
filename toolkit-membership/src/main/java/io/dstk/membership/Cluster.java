package io.dstk.membership;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jgroups.JChannel;

/**
 * This process's membership in a cluster: who is in it, who coordinates, whether the view has quorum, change events,
 * and typed messaging between members.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.join(ClusterConfig.localhost("orders").nodeName("a").build())) {
 *   cluster.addListener(event -> System.out.println(event));
 *   System.out.println(cluster.members());
 * }
 * }</pre>
 *
 * <p><b>Views.</b> A view is the ordered member list of one partition, oldest member first; the first member is the
 * coordinator, so each partition has exactly one. Every member of a partition installs the same views in the same
 * order; {@link ClusterView#id()} increases with each view a node installs.
 *
 * <p><b>Failure detection.</b> A crashed process is removed after its socket closes plus the suspicion check
 * ({@link ClusterConfig#verifySuspectTimeout()}); a paused or unreachable one after
 * {@link ClusterConfig#heartbeatTimeout()} plus the check. Crashes, suspicions and partitions all surface as
 * {@link MembershipEvent.MemberRemoved}: they cannot be told apart. Partitions that find each other again merge and
 * surface as {@link MembershipEvent.PartitionHealed}.
 *
 * <p><b>Thread safety.</b> All methods are thread-safe. Listeners and message handlers run on threads owned by this
 * cluster, never on JGroups' threads. A request handler does too, except that with the default
 * {@linkplain ClusterConfig#messageExecutor() message executor} a quick one answers on the receiving JGroups thread
 * (a handler that has once run longer than 10 ms never does again).
 *
 * <p><b>Lifecycle.</b> A cluster is joined once; {@link #close()} announces a graceful leave (other members see
 * {@link MembershipEvent.MemberLeft}), disconnects and releases every thread; it is idempotent. After close, queries
 * return the last view and sends fail with {@link MembershipException}.
 */
public interface Cluster extends AutoCloseable {

  /**
   * Joins the cluster, blocking until this member is in a view or {@link ClusterConfig#joinTimeout()} has passed.
   *
   * @param config the configuration
   * @return the joined cluster
   * @throws DuplicateMemberNameException if a member with the same node name is already in the view
   * @throws IncompatibleWireVersionException if a member of the view speaks an incompatible wire version
   * @throws AuthenticationFailedException if security is on and members were found that refused this member's
   *     credentials (see that class for when this can be detected)
   * @throws JoinFailedException if the stack cannot start or the join times out
   */
  static Cluster join(ClusterConfig config) {
    return DefaultCluster.join(config);
  }

  /**
   * Joins the cluster on a thread of its own.
   *
   * @param config the configuration
   * @return a future completing with the joined cluster, or exceptionally with the exceptions of {@link #join}
   */
  static CompletableFuture<Cluster> joinAsync(ClusterConfig config) {
    return DefaultCluster.joinAsync(config);
  }

  /**
   * Returns this member.
   *
   * @return this member as the others see it
   */
  Member self();

  /**
   * Returns the members of the current view, oldest first.
   *
   * @return an immutable list
   */
  List<Member> members();

  /**
   * Returns the coordinator of this partition (the oldest member).
   *
   * @return the coordinator
   */
  Member coordinator();

  /**
   * Returns whether this member coordinates its partition.
   *
   * @return true if this member is the oldest of the view
   */
  boolean isCoordinator();

  /**
   * Returns the current view.
   *
   * @return the view
   */
  ClusterView view();

  /**
   * Returns whether the current view holds a strict majority of {@link ClusterConfig#expectedMembers()}, or of the
   * named {@link ClusterConfig#voters()}; always true when neither is configured.
   *
   * @return whether this partition has quorum
   */
  boolean hasQuorum();

  /**
   * Returns the largest payload a message may carry ({@link ClusterConfig#maxMessageBytes()}); a receiver drops a
   * larger one. Components that send large values check their own limits against it.
   *
   * @return the cap in bytes
   */
  int maxMessageBytes();

  /**
   * Returns the expected cluster size that quorum is computed against ({@link ClusterConfig#expectedMembers()}).
   * Components that must tell a majority side from a minority side after a partition heals compare the sizes of the
   * former partitions against this number, not against the size of the merged view.
   *
   * @return the configured expected number of members, or 0 if none is configured (quorum is not tracked)
   */
  int expectedMembers();

  /**
   * Registers a listener for events after this call. See {@link MembershipListener} for threading and overflow.
   *
   * <p>To follow the view without a gap, register first and then read {@link #view()}: every view installed after
   * this call reaches the listener, so the first event may carry the view already read (compare
   * {@link ClusterView#id()}). Reading the view first and registering after can miss a view installed in between.
   *
   * @param listener the listener
   * @return a handle that removes the listener (queued events are dropped)
   */
  Registration addListener(MembershipListener listener);

  /**
   * Sends a one-way message to one member. Messages from one sender to one receiver on one topic are delivered in
   * send order; delivery is reliable while both stay in the view.
   *
   * @param to the receiver
   * @param topic the topic
   * @param message the payload, not null
   * @param <T> the payload type
   * @throws MemberUnavailableException if {@code to} is not in the current view
   * @throws MembershipException if the cluster is closed or the transport fails
   */
  <T> void send(Member to, Topic<T> topic, T message);

  /**
   * Sends a one-way message to every other member of the view.
   *
   * @param topic the topic
   * @param message the payload, not null
   * @param <T> the payload type
   * @throws MembershipException if the cluster is closed or the transport fails
   */
  <T> void broadcast(Topic<T> topic, T message);

  /**
   * Registers the handler of a topic, replacing none: one handler per topic.
   *
   * @param topic the topic
   * @param handler the handler
   * @param <T> the payload type
   * @return a handle that removes the handler
   * @throws IllegalStateException if the topic already has a handler
   */
  <T> Registration subscribe(Topic<T> topic, MessageHandler<T> handler);

  /**
   * Registers the handler of a topic, run on {@code executor} instead of the cluster's
   * {@linkplain ClusterConfig#messageExecutor() message executor}. {@code Runnable::run} runs it on the JGroups thread
   * that received the message, without a thread hand-off, in the order the sender sent its messages: only for a
   * handler that never blocks, since a blocked JGroups thread delays every later message from that sender. The
   * cluster does not shut the executor down; a rejected task drops the message (counted in {@link ClusterStats}).
   *
   * @param topic the topic
   * @param handler the handler
   * @param executor runs the handler
   * @param <T> the payload type
   * @return a handle that removes the handler
   * @throws IllegalStateException if the topic already has a handler
   */
  <T> Registration subscribe(Topic<T> topic, MessageHandler<T> handler, Executor executor);

  /**
   * Registers the handler of an endpoint: one handler per endpoint name. It runs on the cluster's message executor;
   * with the default one, a quick handler answers on the receiving JGroups thread instead (at most one such run at a
   * time, and never again once a run has taken longer than 10 ms; see {@link ClusterConfig#messageExecutor()}).
   *
   * @param endpoint the endpoint
   * @param handler the handler
   * @param <Q> the request type
   * @param <R> the response type
   * @return a handle that removes the handler
   * @throws IllegalStateException if the endpoint already has a handler
   */
  <Q, R> Registration serve(Endpoint<Q, R> endpoint, RequestHandler<Q, R> handler);

  /**
   * Registers the handler of an endpoint, run on {@code executor} instead of the cluster's
   * {@linkplain ClusterConfig#messageExecutor() message executor}; {@code Runnable::run} runs it on the receiving
   * JGroups thread, only for a handler that never blocks (see {@link #subscribe(Topic, MessageHandler, Executor)}).
   *
   * @param endpoint the endpoint
   * @param handler the handler
   * @param executor runs the handler
   * @param <Q> the request type
   * @param <R> the response type
   * @return a handle that removes the handler
   * @throws IllegalStateException if the endpoint already has a handler
   */
  <Q, R> Registration serve(Endpoint<Q, R> endpoint, RequestHandler<Q, R> handler, Executor executor);

  /**
   * Sends a request with {@link ClusterConfig#requestPolicy()}.
   *
   * @param to the receiver
   * @param endpoint the endpoint
   * @param request the request, not null
   * @param <Q> the request type
   * @param <R> the response type
   * @return the response; see {@link #request(Member, Endpoint, Object, RequestPolicy)} for failures
   */
  <Q, R> CompletableFuture<R> request(Member to, Endpoint<Q, R> endpoint, Q request);

  /**
   * Sends a request and returns its response. A caller blocked in {@code get} or {@code join} is woken by the thread
   * that received the response; dependent stages added before completion ({@code thenApply}, {@code whenComplete},
   * ...) run on the cluster's message executor, never on JGroups' threads. The response codec runs on the receiving
   * thread. A request fails at most 10 ms after its timeout. The future completes exceptionally with:
   * {@link MemberUnavailableException} at once if {@code to} is not in the view, or as soon as it leaves it;
   * {@link StaleViewException} if the policy is view-checked and the receiver is on another view;
   * {@link RemoteHandlerException} if the receiver's handler failed or is missing; {@link RequestTimeoutException}
   * after the last attempt timed out; {@link CircuitOpenException} while the member's breaker is open.
   *
   * @param to the receiver
   * @param endpoint the endpoint
   * @param request the request, not null
   * @param policy timeout, retries, view check and circuit breaking
   * @param <Q> the request type
   * @param <R> the response type
   * @return the response
   */
  <Q, R> CompletableFuture<R> request(Member to, Endpoint<Q, R> endpoint, Q request, RequestPolicy policy);

  /**
   * Returns counters since the join.
   *
   * @return a snapshot
   */
  ClusterStats stats();

  /**
   * Returns the underlying JGroups channel, for what this interface does not cover (probing, custom protocols). Do
   * not set its receiver, connect, disconnect or close it.
   *
   * @return the channel
   */
  JChannel channel();

  /** Leaves gracefully and releases all resources; idempotent. */
  @Override
  void close();
}
