-- Lab hosts reached over ssh:// (`berth hosts add --ssh-key --known-hosts`):
-- the private key Berth logs in with and the known_hosts file the host's
-- key is checked against, each a path on every replica's machine (like
-- tls_dir). NULL: ssh's own configuration and agent, and the known_hosts
-- of the user Berth runs as.
ALTER TABLE lab_hosts ADD COLUMN ssh_key TEXT;
ALTER TABLE lab_hosts ADD COLUMN known_hosts TEXT;
