/* Entry points of the xdpscope commands; each lives in the file named for it. */
#ifndef XDPSCOPE_COMMANDS_H
#define XDPSCOPE_COMMANDS_H

/* Each returns the process exit code (see cli.h). argv[0] is the command name. */
int cmd_watch(int argc, char **argv);
int cmd_ifaces(int argc, char **argv);
int cmd_ip(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_sniff(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_echo_server(int argc, char **argv);
int cmd_echo_client(int argc, char **argv);

#endif
