/** The console's entry: defines <s3i-console> and the elements it uses. */
import './app/console-app';
