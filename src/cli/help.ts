export const MAIN_HELP = `ovnctl: declarative, Ansible-compatible PKI provisioner for OpenStack/OVN

Usage: ovnctl <command> [options]

Commands:
  run <playbook>          run a playbook (a path, or the name of a bundled playbook)
  vars <host>             print a host's merged variables (secrets redacted)
  certificates <action>   list, reissue, renew certificates; rotate or replace the CA
  modules                 list the modules ovnctl knows

Options:
  -h, --help              show help (also: ovnctl <command> --help)
  --version               print the version

Bundled playbooks: certificate-authority.yml, certificate-generate.yml, haproxy-install.yml,
rabbitmq-install.yml, ovn-install.yml (see README).
Exit codes: 0 ok, 1 error (e.g. no hosts matched), 2 a host failed, 4 a host was
unreachable, 5 usage error, 6 invalid input (YAML, schema, undefined variable),
99 interrupted, 250 internal error.
`;

const COMMON = `Inventory and variables:
  -i, --inventory SRC        inventory file, directory or 'h1,h2,' list (repeatable;
                             default: $ANSIBLE_INVENTORY, else the bundled local inventory)
  -e, --extra-vars VARS      k=v pairs (values are strings), YAML/JSON {...}, or @file
                             (repeatable; later wins; above every user_*.yml)
  -l, --limit PATTERN        restrict hosts: groups, hosts, globs, ~regex, !exclude,
                             &intersect, group[0], group[1:3], @retry-file
  --config-dir DIR           where user_*.yml and the PKI store live
                             (default: $OVNCTL_CONFIG_DIR, else the current directory)
  --vault-password-file F    vault password file; an executable file is run (repeatable)
  --vault-id LABEL@FILE      vault id and password file (repeatable)
  -v, -vv, -vvv              more output (-vvv adds stack traces to errors)
  --output text|json|jsonl   text (default), one JSON document, or a JSON event stream
`;

export const RUN_HELP = `Usage: ovnctl run <playbook> [options]

Runs a playbook. A name that is not a path resolves to the bundled playbooks/,
so 'ovnctl run certificate-authority.yml' works from any directory.

${COMMON}
Execution:
  -C, --check                plan only: report exactly what would change, change nothing
  -D, --diff                 show before/after of changed text files (never of secrets)
  -t, --tags TAGS            only tasks with these tags (always, never, all, tagged, untagged)
  --skip-tags TAGS           skip tasks with these tags
  -f, --forks N              hosts worked on at once (default 50, or $ANSIBLE_FORKS)
  --list-hosts               list the hosts each play would run on, then stop
  --list-tasks               list the tasks, then stop
  --list-tags                list the tags, then stop
  --syntax-check             load and validate the playbook, then stop

Connection (SSH):
  -u, --user USER            login user (default: ansible_user, else root)
  --private-key FILE         private key file
  --ssh-passphrase-file F    passphrase of an encrypted private key
  -T, --timeout SECONDS      connection timeout (default 10)
  --host-key-checking MODE   strict | accept-new (default) | off
                             (also ovnctl_host_key_checking, $ANSIBLE_HOST_KEY_CHECKING)
  -b, --become               run as root through sudo
  --become-user USER         become this user (default root)
  -K, --ask-become-pass      not supported non-interactively: use --become-password-file
  --become-password-file F   sudo password file

Exit codes: 0 ok, 1 error, 2 a host failed, 4 a host was unreachable, 5 usage error,
6 invalid input (file:line given), 99 interrupted, 250 internal error.
`;

export const VARS_HELP = `Usage: ovnctl vars <host> [--explain NAME] [options]

Prints the variables of <host> as a play would see them before any task runs:
inventory, group_vars/host_vars, user_*.yml and -e merged in Ansible's precedence.
Secrets (vault values, passwords, keys) are redacted.

  --explain NAME             list every layer that defines NAME, lowest first, and say which wins
  -p, --playbook PLAYBOOK    also apply the playbook's group_vars/host_vars, play vars and role defaults

${COMMON}`;

export const CERTIFICATES_HELP = `Usage: ovnctl certificates <action> [options]

The certificates of every service on every host, over their whole lifecycle. Each action runs
bundled playbooks (the services' own install playbooks for changes) and writes the security
event log (<config dir>/.ovnctl/security.log; off with security_logging: false).

Actions:
  list                       every certificate file per host and service: present or missing,
                             subject, SANs, issuer, serial, expiry and days left, issuing CA,
                             key match, and what the TLS endpoints serve. Exits 2 when anything
                             is missing, invalid or due within the renewal window (4: a host
                             could not be read): a pipeline gate
  reissue <service|all>      new keys and certificates for a service (haproxy, rabbitmq, ovn,
                             or one OVN part: ovnnb, ovnsb, ovn-northd, ovn-controller, client,
                             ipsec) on the selected hosts: its playbook with its regen flag
  renew [--within 10d]       reissue exactly what expires within the window (a CA too, unless it
                             is user-provided), reload what changed; for a daily timer
  regenerate-ca [--ca NAME]  rotate a CA with no outage: (1) every host trusts the old and the
                             new CA, (2) every certificate is reissued from the new CA, (3) the
                             old CA is dropped. Resumable: run it again after a failure
  regenerate-ca --abort      abandon the rotation in progress (also set-ca --abort) while its new
                             CA is not promoted yet: the staged CA and the old+new bundle are
                             removed, every host gets the old CA's bundles back and reloads.
                             Resumable too; refused once the new CA is current (stage 2 on)
  set-ca --cert F --key F | --combined F | --pkcs12 F [--ca NAME]
                             adopt your own CA (checked: key matches, CA:TRUE, keyCertSign, not
                             expired), rolled out like regenerate-ca; never renewed by ovnctl

Options:
  --within DURATION          renewal window for list and renew (default: pki_renew_before, 10d)
  --ca NAME                  the CA to rotate or replace (default: the root of the service CA
                             hierarchy, e.g. ExampleCorpRoot); everything it signs follows
  --cert F, --key F          set-ca: PEM certificate (optionally with its chain) and key
  --combined F               set-ca: one PEM file with certificate(s) and key
  --pkcs12 F                 set-ca: PKCS#12 bundle
  --passphrase-file F        set-ca: passphrase of the key or PKCS#12 bundle
  --abort                    regenerate-ca, set-ca: abandon the rotation in progress (no CA files)
  -f, --forks N              hosts worked on at once (default 50)
  -u, --user, --private-key, -T, --host-key-checking, -b, --become-user,
  --become-password-file, --ssh-passphrase-file: as for ovnctl run

${COMMON}
Exit codes: 0 ok, 1 error, 2 a host failed (list: something needs attention), 4 a host was
unreachable, 5 usage error, 6 invalid input (e.g. a refused CA), 99 interrupted.
`;
