// WebhookTransport.java -- a custom transport in Camel's Java DSL (compiled when loaded).
//
// Delivers the mail of one domain to an HTTP endpoint instead of an SMTP server: the message
// is POSTed as message/rfc822, the envelope as X-Mail-* headers. Install: copy to
// conf/routes/ and set
//
//     main.cf:          webhook_url = http://127.0.0.1:8080/mail
//     transport table:  hooks.example.com = camel:direct:webhook
//     master.cf:        camel  unix  -  -  n  -  -  camel
//
// A 2xx answer means delivered; any other answer or a connection error throws, and the
// camel transport defers the mail (retried like any 4xx); an HTTP 4xx other than 408/429 is
// mapped to a bounce by setting the delivery_status header.
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;

public class WebhookTransport extends RouteBuilder {
    @Override
    public void configure() {
        from("direct:webhook")
            .routeId("webhook")
            .onException(HttpOperationFailedException.class)
                .onWhen(simple("${exception.statusCode} >= 400 && ${exception.statusCode} < 500"
                        + " && ${exception.statusCode} != 408 && ${exception.statusCode} != 429"))
                .handled(true)
                .setHeader("delivery_status", simple("5.0.0 webhook refused the message: HTTP ${exception.statusCode}"))
            .end()
            .setHeader("X-Mail-Queue-Id", header("queue_id"))
            .setHeader("X-Mail-Sender", header("sender"))
            .setHeader("X-Mail-Recipients", header("recipients"))
            .removeHeaders("*", "X-Mail-*")
            .setHeader(Exchange.HTTP_METHOD, constant("POST"))
            .setHeader(Exchange.CONTENT_TYPE, constant("message/rfc822"))
            .to("{{webhook_url}}");
    }
}
