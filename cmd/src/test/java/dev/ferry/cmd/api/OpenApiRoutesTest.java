package dev.ferry.cmd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.cmd.api.OpenApiOperations.Operation;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/api/openapi.yaml describes exactly the routes {@link ApiServer} serves: every (method,
 * path) the router answers is in the file, and the file describes nothing the router does not
 * answer. The routes come from the router itself, built with no node behind it (building it
 * touches no node; only requests would).
 */
class OpenApiRoutesTest {
    private Vertx vertx;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theOpenApiFileDescribesExactlyTheRoutesTheServerServes() throws Exception {
        Set<Operation> served = servedOperations(routes());
        Set<Operation> described = OpenApiOperations.read(OpenApiOperations.FILE);

        Set<Operation> undocumented = new TreeSet<>(served);
        undocumented.removeAll(described);
        Set<Operation> notServed = new TreeSet<>(described);
        notServed.removeAll(served);
        // both lists at once: a renamed path shows on both sides
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(undocumented).as("routes ApiServer serves that %s does not describe:%s", OpenApiOperations.FILE,
                    OpenApiOperations.list(undocumented)).isEmpty();
            softly.assertThat(notServed).as("operations %s describes that ApiServer does not serve:%s", OpenApiOperations.FILE,
                    OpenApiOperations.list(notServed)).isEmpty();
        });
        // a sanity check on the reading of both sides: the API has twenty-odd operations
        assertThat(served).hasSizeGreaterThan(20);
    }

    @Test
    void everyRouteWithoutAMethodIsAPrefixOrRegexRouteOfThePlumbing() {
        // A method-less route on an exact path would answer every method there, which the file
        // cannot list as operations; only catch-alls (token check, body handling, the 404 for
        // unknown endpoints, the web page's files) may go without a method.
        List<String> methodlessExactPaths = new ArrayList<>();
        for (Route route : routes()) {
            if (hasNoMethod(route) && isEndpointPath(route)) methodlessExactPaths.add(route.getPath());
        }
        assertThat(methodlessExactPaths).as("routes on an exact path with no method (give them one)").isEmpty();
    }

    @Test
    void theReaderFindsMethodsUnderPathsAndSkipsEverythingDeeper() {
        Set<Operation> read = OpenApiOperations.parse(List.of(
                "openapi: 3.0.3",
                "paths:",
                "  \"/a/{id}\":",
                "    parameters:",
                "      - name: id",
                "    get:",
                "      description: |",
                "        post: not an operation",
                "      responses: {}",
                "",
                "    delete:",
                "      responses: {}",
                "  /b:",
                "    post:",
                "      summary: x",
                "components:",
                "  /c:",
                "    get: {}"));
        assertThat(read).containsExactlyInAnyOrder(new Operation("GET", "/a/{id}"), new Operation("DELETE", "/a/{id}"),
                new Operation("POST", "/b"));
    }

    @Test
    void theReaderRefusesWhatItCannotReadRatherThanMisreadingIt() {
        assertThatThrownBy(() -> OpenApiOperations.parse(List.of("paths: {}"))).hasMessageContaining("paths:");
        assertThatThrownBy(() -> OpenApiOperations.parse(List.of("paths:", "  a:", "    get: {}"))).hasMessageContaining("not a path");
        assertThatThrownBy(() -> OpenApiOperations.parse(List.of("paths:", "  /a:", "    get: {}", "    get: {}")))
                .hasMessageContaining("GET /a twice");
    }

    private List<Route> routes() {
        return new ApiServer(null, null, vertx).router().getRoutes();
    }

    /**
     * The (method, path) pairs the router answers with an endpoint. Left out, as plumbing: routes
     * with no method on a prefix ({@code /api/v1/*}: the token check and the JSON 404 for unknown
     * endpoints; {@code /*}: the web page's static files, which the file leaves out), routes made
     * from a regex (the JSON body handler: it has no path), and the failure handler. Method-specific plumbing on an
     * endpoint's path (the upload slot and body handler of POST /files) falls together with it.
     */
    static Set<Operation> servedOperations(List<Route> routes) {
        Set<Operation> served = new HashSet<>();
        for (Route route : routes) {
            // A route made from a regex has no path; one with :parameters has both a path and a regex.
            if (hasNoMethod(route) || route.getPath() == null) continue;
            for (var method : route.methods()) {
                served.add(new Operation(method.name(), openApiPath(route.getPath())));
            }
        }
        return served;
    }

    private static boolean hasNoMethod(Route route) {
        return route.methods() == null || route.methods().isEmpty();
    }

    private static boolean isEndpointPath(Route route) {
        return route.getPath() != null && route.isExactPath();
    }

    /** Vert.x writes a path parameter {@code :name}; OpenAPI writes {@code {name}}. */
    static String openApiPath(String vertxPath) {
        return vertxPath.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
    }
}
