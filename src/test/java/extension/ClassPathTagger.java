package extension;

import org.apache.camel.builder.RouteBuilder;

/** A compiled RouteBuilder on the class path, named in camel_route_builders (a test fixture). */
public class ClassPathTagger extends RouteBuilder {
    @Override
    public void configure() {
        from("direct:class-path-tagger")
            .routeId("class-path-tagger")
            .setHeader("prepend_header", constant("X-Compiled: yes"));
    }
}
