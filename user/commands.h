/* Entry points of the xdpscope commands; each lives in the file named for it. */
#ifndef XDPSCOPE_COMMANDS_H
#define XDPSCOPE_COMMANDS_H

/* Each returns the process exit code (see cli.h). argv[0] is the command name. */
int cmd_echo_server(int argc, char **argv);
int cmd_echo_client(int argc, char **argv);


#endif
