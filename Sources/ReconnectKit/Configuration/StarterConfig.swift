import ReconnectPolicy

/// The configuration `install` writes when there is none yet: the given settings, and every
/// other one commented out with its default (or an example), each under its help line, so the
/// file documents itself. Generated from `SettingsTable`: a new setting appears here by itself.
public enum StarterConfig {
    public static func text(_ given: Settings) -> String {
        let noSource = given.sourceProblem() != nil
        var lines = [
            "# altv-reconnectd configuration (TOML). Keys are the command-line options without dashes;",
            "# the command line wins over this file. Apply changes: systemctl --user reload altv-reconnectd",
        ]
        if noSource {
            lines += ["#", "# Set ONE of log-file or journal-unit (and/or pid-file): the daemon refuses to start without it."]
        }
        for setting in SettingsTable.all {
            lines.append("")
            lines.append("# " + setting.helpText)
            if setting.name == "password-file" {
                lines.append("# The password itself is not set here: put it in ~/.config/altv-reconnectd/password (chmod 600);")
                lines.append("# the unit hands it over as the systemd credential \"password\". Set password-file only when not run by the unit.")
            }
            if let value = setting.starterText(in: given) {
                lines.append("\(setting.name) = \(value)")
            } else if let example = setting.starterValue {
                lines.append("# \(setting.name) = \(example)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
