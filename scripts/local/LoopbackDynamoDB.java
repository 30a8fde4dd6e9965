import java.lang.reflect.Field;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local listening on 127.0.0.1 only, and answering only to loopback Host names. Its jar
 * has no option for the address and listens on every interface, which would open the laptop's
 * ledger to its network, and it checks no credentials and no Host, so a web page could reach it by
 * DNS rebinding. This starts the same server from the same command-line options with its one
 * Jetty connector bound to loopback and a 421 for any other Host. Run as a single-file source
 * program (java LoopbackDynamoDB.java), so nothing is compiled ahead. Starting it without
 * ServerRunner.main also leaves its usage telemetry unconfigured, hence off.
 */
public class LoopbackDynamoDB {
  private static final Pattern LOOPBACK = Pattern.compile("(?i)(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d{1,5})?");

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    Handler tables = server.getHandler();
    server.setHandler(new Handler.Wrapper(tables) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String host = request.getHeaders().get("Host");
        if (host == null || !LOOPBACK.matcher(host).matches()) {
          Response.writeError(request, response, callback, 421, "DynamoDB Local answers only to localhost and 127.0.0.1");
          return true;
        }
        return super.handle(request, response, callback);
      }
    });
    proxy.start();
  }
}
