import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { MemoryError } from '../../spec/memory-error.js';
import { storeSettings } from '../../stores/registry.js';
import { type EncryptionKey, readKeyFile, resolveEncryptionKey } from '../../stores/sqlite/sqlite-cipher.js';
import { rekeySqliteFile } from '../../stores/sqlite/sqlite-rekey.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { configSources } from '../open-memory.js';
import { printJson, printLines } from '../output.js';

const HELP = `
The current key is the configured one (ENGRAM_ENCRYPTION_KEY, ENGRAM_ENCRYPTION_KEY_FILE, or config
store.encryptionKey / store.encryptionKeyFile); none configured means the file is not encrypted.
Keys are read from files, never from the command line (other users can see a process's arguments).

  engram rekey --new-key-file new.key --yes   encrypt a plain database, or change its key
  engram rekey --decrypt --yes                write it back unencrypted

The file is copied under the new key next to the original, checked, and renamed over it: a failure
leaves the original as it was. Stop every engram using the database first; a file still open
elsewhere is refused. Afterwards configure the new key (or none) before starting engram again.`;

/** `engram rekey`: encrypt, re-key or decrypt the SQLite database (docs/security.md). */
export const rekeyCommand: RegisterCommand = (program, context) => {
  program
    .command('rekey')
    .description('encrypt the SQLite database, change its key, or decrypt it (--decrypt)')
    .option('--new-key-file <file>', 'a file whose first line is the new passphrase')
    .option('--decrypt', 'write the database back unencrypted')
    .option('--yes', 'confirm: the database file is replaced by the re-keyed copy')
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const newKeyFile = typeof options.newKeyFile === 'string' ? options.newKeyFile : undefined;
      const decrypt = options.decrypt === true;
      if ((newKeyFile === undefined) === !decrypt) {
        throw new MemoryError(
          'invalid_input',
          'rekey needs exactly one of --new-key-file <file> (encrypt, or change the key) and --decrypt.',
        );
      }
      const { input, options: sources } = configSources(globals, context);
      const settings = storeSettings(loadConfig(input, sources));
      if (settings.provider.toLowerCase() !== 'sqlite') {
        throw new MemoryError(
          'invalid_input',
          `rekey encrypts a SQLite database; the configured store is ${settings.provider}. Use that server's own encryption at rest.`,
        );
      }
      const path = resolve(context.io.cwd, settings.path ?? './engram.db');
      const key = resolveEncryptionKey(settings);
      const newKey: EncryptionKey | null = newKeyFile
        ? {
            passphrase: readKeyFile(resolve(context.io.cwd, newKeyFile)),
            source: `--new-key-file (${newKeyFile})`,
          }
        : null;
      if (decrypt && key === null) {
        throw new MemoryError(
          'invalid_input',
          `--decrypt: no key is configured, so ${path} is taken to be unencrypted already. If it is encrypted, set its key in ENGRAM_ENCRYPTION_KEY or ENGRAM_ENCRYPTION_KEY_FILE.`,
        );
      }
      const change = key === null ? 'encrypt' : newKey === null ? 'decrypt' : 're-key';
      if (options.yes !== true) {
        throw new MemoryError(
          'confirmation_required',
          `rekey would ${change} ${path} and replace the file: stop every engram using it, keep a backup, and pass --yes to confirm.`,
        );
      }
      const started = performance.now();
      const outcome = rekeySqliteFile({ path, key, newKey });
      const seconds = (performance.now() - started) / 1000;
      if (globals.json) return printJson(context, { ...outcome, seconds });
      const next = newKeyFile
        ? `Start engram with ENGRAM_ENCRYPTION_KEY_FILE=${newKeyFile} (or store.encryptionKeyFile) from now on.`
        : 'Start engram without an encryption key from now on.';
      printLines(context, [
        `${change === 'encrypt' ? 'Encrypted' : change === 'decrypt' ? 'Decrypted' : 'Re-keyed'} ${path} (${outcome.memories} memories, ${outcome.bytes} bytes) in ${seconds.toFixed(1)} s. ${next}`,
      ]);
    });
};
