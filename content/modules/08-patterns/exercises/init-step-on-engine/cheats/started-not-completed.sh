# depends_on on the migration without waiting for it to finish.
sed -i 's/condition: service_completed_successfully/condition: service_started/' ~/init-live/compose.yaml
grep -q 'depends_on' ~/init-live/compose.yaml || sed -i 's/^  app:$/  app:\n    depends_on: [migrate]/' ~/init-live/compose.yaml
cd ~/init-live && docker compose up -d --quiet-pull
sleep 4
