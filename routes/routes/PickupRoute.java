package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   PickupRoute - pickup(8): the maildrop directory into cleanup
 * DESCRIPTION
 *   sendmail writes each message as one file in maildrop/ (written under a dot-name, then
 *   renamed, so a half-written file is never picked up). A file is deleted only after its
 *   message is in `incoming`; a file that is not a valid maildrop entry is moved to
 *   maildrop/.corrupt with a log line, never silently dropped.
 */
public final class PickupRoute extends RouteBuilder {
    private final String maildrop;
    private final long pollMillis;
    private final Processor pickup;

    public PickupRoute(String maildrop, long pollMillis, Processor pickup) {
        this.maildrop = maildrop;
        this.pollMillis = pollMillis;
        this.pickup = pickup;
    }

    @Override
    public void configure() {
        from("file:" + maildrop + "?delete=true&moveFailed=.corrupt&readLock=none&exclude=^\\..*"
                + "&delay=" + pollMillis + "&maxMessagesPerPoll=1000&sortBy=file:modified")
            .routeId("pickup")
            .process(pickup)
            .to("direct:cleanup");
    }
}
