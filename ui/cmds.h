/* cmds.h - the top-level custos subcommands (one file each). */
#ifndef CUSTOS_CMDS_H
#define CUSTOS_CMDS_H


int cmd_share(int argc, char **argv);
int cmd_dkek(int argc, char **argv);
int cmd_ceremony(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_emulator(int argc, char **argv);
int cmd_pka(int argc, char **argv);
int cmd_hsm(int argc, char **argv);
int cmd_backup(int argc, char **argv);

/* custos ceremony run|plan (cmd_ceremony_run.c). */
int cmd_ceremony_run(int argc, char **argv);
int cmd_ceremony_plan(int argc, char **argv);

/* custos backup import-key|export-key (cmd_backup_keys.c). */
int cmd_backup_import_key(int argc, char **argv);
int cmd_backup_export_key(int argc, char **argv);

/* custos share split|combine|reshare|print (cmd_share_split.c,
 * cmd_share_combine.c), dispatched from cmd_share.c. */
int cmd_share_split(int argc, char **argv);
int cmd_share_combine(int argc, char **argv);
int cmd_share_reshare(int argc, char **argv);
int cmd_share_print(int argc, char **argv);

#endif
