package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry contacts add|list|remove}: the user's address book, kept by the running node. */
@Command(name = "contacts", mixinStandardHelpOptions = true, description = "Manage contacts: names for PeerIds.",
        subcommands = {ContactsCommand.Add.class, ContactsCommand.ListContacts.class, ContactsCommand.Remove.class})
final class ContactsCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "missing subcommand: add, list or remove");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add PEERID as NAME (or rename it).")
    static final class Add extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "PEERID")
        String peerId;

        @Override
        int run(ApiClient api) {
            JsonObject c = api.post("/contacts", new JsonObject().put("name", name).put("peerId", peerId));
            System.out.println(c.getString("name") + " " + c.getString("peerId"));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List contacts: NAME PEERID, one per line.")
    static final class ListContacts extends ApiCommand {
        @Override
        int run(ApiClient api) {
            for (Object o : api.getArray("/contacts")) {
                JsonObject c = (JsonObject) o;
                System.out.println(printable(c.getString("name")) + " " + c.getString("peerId"));
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove the contact NAME (or PEERID).")
    static final class Remove extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int run(ApiClient api) {
            JsonObject c = api.delete("/contacts/" + ApiClient.segment(name));
            System.out.println("removed " + c.getString("name") + " " + c.getString("peerId"));
            return 0;
        }
    }
}
