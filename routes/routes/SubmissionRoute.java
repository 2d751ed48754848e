package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   SubmissionRoute - JMS submission: new mail from any JMS client into cleanup
 * DESCRIPTION
 *   Consumes the durable queue jms_submission_queue (default `submission`) in a transaction:
 *   a valid submission goes through cleanup into `incoming` and is acknowledged with it; an
 *   invalid one is moved to `submission.rejected` with the reason in the property
 *   {@code reject_reason}, never dropped. When the client set JMSReplyTo, it gets a text
 *   reply: {@code 250 2.0.0 Ok: queued as ID} (property queue_id), or the refusal
 *   {@code 554 5.x.x reason}.
 */
public final class SubmissionRoute extends RouteBuilder {
    private final String queue;
    private final int consumers;
    private final Processor submission;

    public SubmissionRoute(String queue, int consumers, Processor submission) {
        this.queue = queue;
        this.consumers = consumers;
        this.submission = submission;
    }

    @Override
    public void configure() {
        from(Queues.from(queue, consumers))
            .routeId("submission")
            .process(submission)
            .choice()
                .when(exchangeProperty("submission.rejected").isNotNull())
                    .setHeader("reject_reason", exchangeProperty("submission.rejected"))
                    .to(Queues.to(queue + ".rejected"))
                    .setBody(simple("554 ${exchangeProperty.submission.rejected}"))
                .otherwise()
                    .to("direct:cleanup")
                    .setHeader("queue_id", exchangeProperty("submission.queue_id"))
                    .setBody(simple("250 2.0.0 Ok: queued as ${exchangeProperty.submission.queue_id}"))
            .end();
    }
}
