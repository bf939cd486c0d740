package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry group ...}: group chats through the running node. GROUP is a group's name (if unique) or id. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "Group chats: create, invite, remove, leave, list, send, history. GROUP is a group's name or its id.",
        subcommands = {GroupCommand.Create.class, GroupCommand.Invite.class, GroupCommand.Remove.class, GroupCommand.Leave.class,
            GroupCommand.ListGroups.class, GroupCommand.Send.class, GroupCommand.History.class})
final class GroupCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "missing subcommand: create, invite, remove, leave, list, send or history");
    }

    /** One line per group: ID NAME, the members and the user's role. */
    static String describe(JsonObject g) {
        return g.getString("id") + " " + ApiCommand.printable(g.getString("name")) + " (" + g.getJsonArray("members").size()
                + " members, " + (g.getBoolean("isOwner") ? "owner" : "member") + ", " + g.getString("status") + ")";
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a group named NAME that you own; prints its id.")
    static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int run(ApiClient api) {
            System.out.println(describe(api.post("/groups", new JsonObject().put("name", name))));
            return 0;
        }
    }

    @Command(name = "invite", mixinStandardHelpOptions = true, description = "Add CONTACT to GROUP (owner only).")
    static final class Invite extends ApiCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;
        @Parameters(index = "1", paramLabel = "CONTACT")
        String member;

        @Override
        int run(ApiClient api) {
            System.out.println(describe(api.post("/groups/" + groupId(api, group) + "/members", new JsonObject().put("peer", member))));
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove CONTACT from GROUP (owner only); it cannot read what follows.")
    static final class Remove extends ApiCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;
        @Parameters(index = "1", paramLabel = "CONTACT")
        String member;

        @Override
        int run(ApiClient api) {
            System.out.println(describe(api.delete("/groups/" + groupId(api, group) + "/members/" + ApiClient.segment(member))));
            return 0;
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true, description = "Leave GROUP (the owner leaving ends it for everyone).")
    static final class Leave extends ApiCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Override
        int run(ApiClient api) {
            System.out.println(describe(api.post("/groups/" + groupId(api, group) + "/leave", new JsonObject())));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your groups, one per line.")
    static final class ListGroups extends ApiCommand {
        @Override
        int run(ApiClient api) {
            for (Object g : api.getArray("/groups")) System.out.println(describe((JsonObject) g));
            return 0;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Send TEXT to GROUP.")
    static final class Send extends ApiCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;
        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        int run(ApiClient api) {
            api.post("/groups/" + groupId(api, group) + "/messages", new JsonObject().put("text", text));
            System.out.println("sent");
            return 0;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Print GROUP's messages, yours included, oldest first.")
    static final class History extends ApiCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N messages, the newest (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        int run(ApiClient api) {
            if (limit < 1 || limit > 1000) throw new IllegalArgumentException("--limit must be in 1..1000");
            String id = groupId(api, group);
            long last = api.getObject("/groups/" + id).getLong("lastPosition", 0L);
            JsonObject page = api.getObject("/groups/" + id + "/messages?after=" + Math.max(0, last - limit) + "&limit=" + limit);
            for (Object m : page.getJsonArray("messages")) System.out.println(line(api, (JsonObject) m));
            return 0;
        }
    }
}
