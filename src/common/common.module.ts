import { Global, Module } from '@nestjs/common';
import { dataKeyringProvider } from './crypto/data-key.provider.js';
import { DataKeyring } from './crypto/data-keyring.js';

/** The data key that seals secrets the service must read back (DATA_ENCRYPTION_KEY). */
@Global()
@Module({
  providers: [dataKeyringProvider],
  exports: [DataKeyring],
})
export class CommonModule {}
