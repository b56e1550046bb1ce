package io.dstk.samples;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.MembershipEvent;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.Registration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Membership quickstart: three members form a cluster on this machine, one answers a request, one leaves and the
 * others see it go.
 */
public final class MembershipQuickstart {
  private MembershipQuickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args optional: the cluster name (default {@code quickstart-membership})
   * @throws Exception if the cluster cannot form
   */
  public static void main(String[] args) throws Exception {
    String clusterName = args.length > 0 ? args[0] : "quickstart-membership";
    Endpoint<String, String> greet = Endpoint.of("greet", PayloadCodec.utf8(), PayloadCodec.utf8());

    // Every JVM on this machine using the same cluster name finds the others: no multicast, no port list.
    try (Cluster alpha = Cluster.join(ClusterConfig.localhost(clusterName).nodeName("alpha").build());
        Cluster beta = Cluster.join(ClusterConfig.localhost(clusterName).nodeName("beta").build())) {
      Cluster gamma = Cluster.join(ClusterConfig.localhost(clusterName).nodeName("gamma")
          .metadata("zone", "eu-west-1b").build());

      CountDownLatch gammaGone = new CountDownLatch(1);
      alpha.addListener(event -> {
        if (event instanceof MembershipEvent.MemberLeft left) {
          System.out.println("event: " + left.member().name() + " left, view is now " + names(left.newView()
              .members()));
          gammaGone.countDown();
        }
      });
      awaitSize(alpha, 3);
      System.out.println("view: " + names(alpha.members()));
      System.out.println("coordinator: " + alpha.coordinator().name());
      System.out.println("gamma's zone as alpha sees it: "
          + alpha.view().member("gamma").orElseThrow().metadata().get("zone"));

      beta.serve(greet, (from, name) -> "hello " + name + ", from " + beta.self().name());
      Member betaMember = alpha.view().member("beta").orElseThrow();
      System.out.println("beta answered: " + alpha.request(betaMember, greet, "alpha").get(5, TimeUnit.SECONDS));

      gamma.close(); // graceful leave: the others get MemberLeft (a crash would be MemberRemoved)
      if (!gammaGone.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gamma's leave was not seen");
      }
    }
    System.out.println("done");
  }

  private static void awaitSize(Cluster cluster, int size) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(1);
    Registration registration = cluster.addListener(e -> {
      if (e.newView().size() >= size) {
        ready.countDown();
      }
    });
    try {
      if (cluster.members().size() < size && !ready.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("cluster did not reach " + size + " members: " + cluster.view());
      }
    } finally {
      registration.close();
    }
  }

  private static String names(java.util.List<Member> members) {
    return members.stream().map(Member::name).collect(Collectors.joining(", ", "[", "]"));
  }
}
